set -eu
mkdir -p src && echo one > src/one.txt && chmod 0750 src
tar --owner=1001 --group=1002 --numeric-owner -cf archive.tar -C src .
rm -rf src
