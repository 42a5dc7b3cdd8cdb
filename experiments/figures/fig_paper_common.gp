# fig_paper_common.gp -- shared settings of the Figure 2-9 analogue scripts (loaded by them).
# Expects `in` (a table of exp_train_summary). Defines: curves (from the table's `# curves=`
# line), nc, ttl (its `# table=` line, unless given), target (`# target_loss=`), sel(i) (the
# row belongs to curve i), hue(i), lwid(i), label(i) (with " (diverged)" for the curves of the
# `# diverged_curves=` line). Reads the preamble with sed; plots nothing.
curves = system(sprintf("sed -n 's/^# curves=//p' '%s'", in))
nc = words(curves)
if (!exists("ttl")) ttl = system(sprintf("sed -n 's/^# table=//p' '%s'", in))
diverged = system(sprintf("sed -n 's/^# diverged_curves=//p' '%s'", in))
target_s = system(sprintf("sed -n 's/^# target_loss=//p' '%s'", in))
target = (strlen(target_s) > 0) ? real(target_s) : NaN
set datafile separator "\t"
set datafile commentschars "#"
set datafile columnheaders
set grid lc rgb "#dddddd"
set border lc rgb "#444444"
palette_words = "#000000 #1f77b4 #ff7f0e #2ca02c #d62728 #9467bd #8c564b #e377c2 #17becf #bcbd22 #7f7f7f"
sel(i) = strcol("curve") eq word(curves, i)
hue(i) = word(palette_words, 1 + (i - 1) % words(palette_words))
lwid(i) = (word(curves, i)[1:3] eq "clr") ? 3 : 2
label(i) = label0(i) . (strstrt(" " . diverged . " ", " " . word(curves, i) . " ") > 0 ? \
           " (diverged)" : "")
label0(i) = (word(curves, i)[1:6] eq "sgd_lr") ? sprintf("SGD, lr %s", word(curves, i)[7:]) : \
           (word(curves, i) eq "clr") ? "CLR" : \
           (word(curves, i)[1:7] eq "clr_cap") ? sprintf("CLR, cap %s", word(curves, i)[8:]) : \
           (word(curves, i)[1:1] eq "b") ? sprintf("batch %s", word(curves, i)[2:]) : \
           word(curves, i)
