# Figure 1
