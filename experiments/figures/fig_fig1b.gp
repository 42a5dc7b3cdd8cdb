# fig_fig1b.gp -- Figure 1b: a loss surface glued from corridors (cones, a ring trough with a
# concave cone inside, a ruled piece, a plane, a concave-cone hill) and one line of steepest
# descent, piecewise straight with kinks at the gluing lines. Reads only exp_fig1's tables:
#   resdir/fig1b_surface.tsv (x y loss piece), resdir/fig1b_path.tsv (k t x y loss ...).
# Usage: gnuplot -e "resdir='results'; out='doc/figures/fig1b.png'" fig_fig1b.gp
if (!exists("resdir")) resdir = "results"
if (!exists("out")) out = "fig1b.png"
surface = resdir . "/fig1b_surface.tsv"
path = resdir . "/fig1b_path.tsv"

set terminal pngcairo size 1000,800 enhanced font "sans,12"
set output out
set datafile separator "\t"
set datafile commentschars "#"
set key off
set title "Fig. 1b: a loss surface glued from corridors, with a line of steepest descent"
set xlabel "x"
set ylabel "y"
set zlabel "L" rotate by 0
set xrange [-4:4]
set yrange [-4:4]
set zrange [0:4.2]
set xyplane 0
set view 55, 300, 1, 1.05
set pm3d depthorder border lc rgb "#6a6a6a" lw 0.3
unset colorbox
set palette defined (0 "#2b3a67", 1 "#5c8db8", 2 "#b8d8e8", 3 "#f2e3c6", 4 "#e8b07a")
set cbrange [0:4.2]

set multiplot
splot surface using 1:2:3 with pm3d
unset title
unset border
unset xtics
unset ytics
unset ztics
unset xlabel
unset ylabel
unset zlabel
# the path lifted to the surface, its projection, and its kinks (column 9 = 1)
splot path using 3:4:5 with lines lw 3 lc rgb "#d01c1c", \
      path using 3:4:(0) with lines lw 1.5 dt 2 lc rgb "#d01c1c", \
      path using 3:4:($9 > 0 ? $5 : 1/0) with points pt 7 ps 1.4 lc rgb "black"
unset multiplot
