set -eu
mkdir -p src/d && echo gz > src/d/in-gz.txt && echo top > src/top.txt
tar --owner=0 --group=0 -czf archive.tar.gz -C src .
tar --owner=5 --group=6 -czf other.tgz -C src d
echo "not a tar" | gzip -n > notatar.gz
echo "not a tar either" > fake.tar
rm -rf src
