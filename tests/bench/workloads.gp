# Median ns per operation for each workload and allocator.
# Called by plot.sh with fmt ('png' or 'svg'), data and outfile set.
if (fmt eq 'svg') set terminal svg size 800,500 dynamic; else set terminal pngcairo size 800,500
set output outfile
set title 'Time per operation by workload (lower is better)'
set ylabel 'ns per operation (median)'
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set grid ytics
set yrange [0:*]
set xrange [-0.6:*]
set key top left
plot data using 2:xtic(1) title 'mm/ fast', \
     '' using 3 title 'mm/ cached', \
     '' using 4 title 'mm/ checking', \
     '' using 5 title 'glibc malloc'
