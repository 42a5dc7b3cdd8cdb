# table writer
