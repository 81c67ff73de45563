set -eu
mkdir -p modes/sticky modes/private-dir
echo u > modes/setuid && chmod 4755 modes/setuid
echo g > modes/setgid && chmod 2755 modes/setgid
echo r > modes/readonly && chmod 0400 modes/readonly
echo x > modes/exec-only && chmod 0111 modes/exec-only
chmod 1777 modes/sticky
chmod 0700 modes/private-dir
echo in > modes/private-dir/in.txt
