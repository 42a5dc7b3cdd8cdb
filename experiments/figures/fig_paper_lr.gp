# fig_paper_lr.gp -- Figure 4 analogue: the CLR value L/|grad L|^2 used at each step, against
# epochs (step / steps per epoch), for each batch size; left: uncapped (the resnet runs of
# Figures 2 and 9), right: capped (at 10 in the paper, at 1 at the small scale: the runs of
# Figures 3 and 8). Lines: mean over seeds;
# bands: min to max over seeds. Reads only the table written by exp_train_summary (curves
# resnet_b<B>, capped_b<B>; columns curve step epoch lr_{mean,min,max} nseeds).
# Usage: gnuplot -e "in='results/paper_fig4.tsv'; out='fig4.png'; ttl='...'" fig_paper_lr.gp
if (!exists("in")) in = "results/paper_fig4.tsv"
if (!exists("out")) out = "paper_fig4.png"
if (!exists("dir")) dir = ""
load dir . "fig_paper_common.gp"
# the same colour for the same batch size in both panels
batch_of(i) = word(curves, i)[strstrt(word(curves, i), "_b") + 2:]
hue(i) = word(palette_words, 2 + (int(log(real(batch_of(i))) / log(2))) % (words(palette_words) - 1))
inexp(i, e) = word(curves, i)[1:strlen(e)] eq e

set terminal pngcairo size 1400,560 enhanced font "sans,12"
set output out
set multiplot layout 1,2 title ttl font "sans,14"
set xlabel "epoch"
set ylabel "CLR value  L / |{/Symbol \321}L|^2"
set logscale y
set format y "10^{%T}"
set key outside right top vertical
do for [e in "resnet capped"] {
    set title (e eq "resnet" ? "uncapped" : "capped (--lr-max)")
    n_e = 0
    do for [i=1:nc] { if (inexp(i, e)) { n_e = n_e + 1 } }
    if (n_e == 0) {
        set label 1 "no runs" at graph 0.5, 0.5 center
        plot [0:1] [0.1:1] NaN notitle
        unset label 1
        continue
    }
    plot for [i=1:nc] in using "epoch":((sel(i) && inexp(i, e)) ? column("lr_min") : NaN):"lr_max" \
             with filledcurves fs transparent solid 0.15 noborder lc rgb hue(i) notitle, \
         for [i=1:nc] in using "epoch":((sel(i) && inexp(i, e)) ? column("lr_mean") : NaN) \
             with lines lw 1.5 lc rgb hue(i) title (inexp(i, e) ? sprintf("batch %s", batch_of(i)) : "")
}
unset multiplot
