set -eu
mkdir -p tree/sub
echo linked > tree/first
ln tree/first tree/second
ln tree/first tree/sub/third
