# A tar made here (git keeps no owners, setuid bits or hard links): owners, a setuid file, a
# hard link, a symlink, a nested directory; no "./" entry (its owner is case 74).
set -eu
mkdir -p src/dir/nested
echo one > src/one.txt
echo nested > src/dir/nested/n.txt
echo run > src/setuid-prog && chmod 4755 src/setuid-prog
ln src/one.txt src/hard-one.txt
ln -s dir/nested/n.txt src/sym
tar --owner=1001 --group=1002 --numeric-owner -cf archive.tar -C src one.txt dir setuid-prog hard-one.txt sym
rm -rf src
