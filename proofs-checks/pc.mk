# theorem checks: each adds itself here
