# Cost per operation against free holes: mm/ must stay flat (constant-time
# search); the first-fit reference shows what a list scan does instead.
# Called by plot.sh with fmt ('png' or 'svg'), data and outfile set.
if (fmt eq 'svg') set terminal svg size 800,500 dynamic; else set terminal pngcairo size 800,500
set output outfile
set datafile separator ','
set title 'Cost per operation vs free holes no request fits (lower is better)'
set xlabel 'free holes in the heap'
set ylabel 'ns per operation (median, bars: min..max)'
set logscale xy
set xrange [700:140000]
set yrange [10:1e8]
set format y '%g'
set grid
set key top left
# columns: holes, then median,min,max,ops for each allocator in order
plot data using 1:2:3:4 with yerrorlines lw 2 title 'mm/ fast', \
     data using 1:6:7:8 with yerrorlines lw 2 title 'mm/ checking', \
     data using 1:10:11:12 with yerrorlines lw 2 title 'glibc malloc', \
     data using 1:14:15:16 with yerrorlines lw 2 dt 2 title 'naive first-fit (reference)'
