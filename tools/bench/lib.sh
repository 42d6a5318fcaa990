# tools/bench/lib.sh — what the benchmark scripts share, sourced from the
# repository root: the median of numbers on stdin, awk arithmetic, and the
# spread (slowest / fastest) of the numbers in a file.
median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
calc() { awk "BEGIN { printf $1 }"; }   # calc '"%.3f", 1/3'
spread() { sort -n "$1" | awk 'NR == 1 {a = $1} {b = $1} END {printf "%.2f", (a > 0) ? b / a : 0}'; }
