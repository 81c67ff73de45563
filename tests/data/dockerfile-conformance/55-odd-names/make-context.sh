set -eu
mkdir -p odd
cd odd
echo s > "with spaces.txt"
echo u > "ünïcödé-名前-файл.txt"
echo d > -leading-dash
echo q > "quote'double\"back\\slash"
echo e > "emoji-🐳.txt"
long=$(printf 'l%.0s' $(seq 1 251)).txt
echo l > "$long"
deep=$(printf 'd%.0s' $(seq 1 60))
mkdir -p "$deep/$deep/$deep/$deep/$deep"
echo deep > "$deep/$deep/$deep/$deep/$deep/$long"
