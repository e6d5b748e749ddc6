# Throughput against threads on one heap, one line per allocator.
# Called by plot.sh with fmt ('png' or 'svg'), data and outfile set.
# Columns: threads, then M ops/s for mm-cached mm-locked mm-nohooks
# mm-mutex glibc jemalloc mimalloc tcmalloc; '-' where a run timed out,
# failed or its library is not installed.
if (fmt eq 'svg') set terminal svg size 800,500 dynamic; else set terminal pngcairo size 800,500
set output outfile
set datafile missing '-'
set title 'Threads on one heap: malloc(8..256)/free, every block stamped (higher is better)'
set xlabel 'threads (on 2 cores)'
set ylabel 'M operations per second (median)'
set logscale x 2
set logscale y 10
set xrange [0.8:10]
set xtics (1, 2, 4, 8)
set format y '%g'
set mytics 10
set grid
set key outside right top
plot data using 1:2 with linespoints lw 3 pt 7 title 'mm/ cached', \
     data using 1:3 with linespoints lw 2 pt 5 title 'mm/ locked', \
     data using 1:4 with linespoints lw 2 pt 9 title 'mm/ no hooks', \
     data using 1:5 with linespoints lw 2 dt 2 pt 4 title 'mm/ + mutex', \
     data using 1:6 with linespoints lw 2 pt 6 lc rgb 'black' title 'glibc', \
     data using 1:7 with linespoints lw 1 dt 3 pt 1 title 'jemalloc', \
     data using 1:8 with linespoints lw 1 dt 3 pt 2 title 'mimalloc', \
     data using 1:9 with linespoints lw 1 dt 3 pt 3 title 'tcmalloc'
