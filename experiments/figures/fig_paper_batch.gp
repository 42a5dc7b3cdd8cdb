# fig_paper_batch.gp -- Figures 3 and 9 analogues: CLR (capped or not) across batch sizes.
# Training loss (mean of the batch losses of each epoch), log scale, against epochs (left) and
# against steps (right). Lines: mean over seeds; bands: min to max over seeds.
# Reads only the table written by exp_train_summary (curves b<batch>).
# Usage: gnuplot -e "in='results/paper_fig9.tsv'; out='fig9.png'; ttl='...'" fig_paper_batch.gp
if (!exists("in")) in = "results/paper_fig9.tsv"
if (!exists("out")) out = "paper_fig9.png"
if (!exists("dir")) dir = ""
load dir . "fig_paper_common.gp"
# no black: every curve here is CLR
hue(i) = word(palette_words, 2 + (i - 1) % (words(palette_words) - 1))
lwid(i) = 2

set terminal pngcairo size 1400,560 enhanced font "sans,12"
set output out
set multiplot layout 1,2 title ttl font "sans,14"
set ylabel "training loss (epoch mean)"
set logscale y
set format y "10^{%T}"
# a diverged run's losses leave the plot at the top (its label says so)
set yrange [*:1e2]
set key top right
do for [xc in "epoch step"] {
    set xlabel xc
    if (xc eq "step") { set logscale x; set format x "10^{%T}" }
    plot for [i=1:nc] in using xc:(sel(i) ? column("train_loss_min") : NaN):"train_loss_max" \
             with filledcurves fs transparent solid 0.18 noborder lc rgb hue(i) notitle, \
         for [i=1:nc] in using xc:(sel(i) ? column("train_loss_mean") : NaN) \
             with linespoints pt 7 ps 0.4 lw lwid(i) lc rgb hue(i) title label(i), \
         target with lines dt 2 lw 1.5 lc rgb "#777777" title sprintf("target %g", target)
}
unset multiplot
