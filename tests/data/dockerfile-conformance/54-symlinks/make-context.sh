set -eu
mkdir -p links/dir
echo target > links/target.txt
ln -s target.txt links/rel
ln -s /etc/os-release links/abs
ln -s does-not-exist links/dangling
ln -s dir links/dir-link
