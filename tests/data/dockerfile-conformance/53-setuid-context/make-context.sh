set -eu
mkdir -p modes/sticky modes/setgid-dir
echo u > modes/setuid && chmod 4755 modes/setuid
echo g > modes/setgid && chmod 2755 modes/setgid
echo r > modes/readonly && chmod 0400 modes/readonly
echo x > modes/exec-only && chmod 0111 modes/exec-only
chmod 1777 modes/sticky
chmod 2770 modes/setgid-dir
echo in > modes/setgid-dir/in.txt
