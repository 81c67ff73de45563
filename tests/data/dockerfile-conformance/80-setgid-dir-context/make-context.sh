set -eu
mkdir -p modes/setgid-dir
chmod 2770 modes/setgid-dir
echo in > modes/setgid-dir/in.txt
