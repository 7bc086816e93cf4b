# SPDX-License-Identifier: ISC
# Time ranger on a train/test CSV pair with the bench hyperparameters:
# 100 trees, mtry = floor(features / 3), min.node.size 5 (a different rule
# from scikit-learn's min_samples_leaf: see docs/forest.md), every core.
# Prints one line: fit_s predict_s rmse.  Reading the CSV is not timed.
# usage: Rscript ranger_fit.R TRAIN TEST TARGET [TREES]
suppressPackageStartupMessages(library(ranger))
a <- commandArgs(trailingOnly = TRUE)
target <- a[3]
trees <- if (length(a) > 3) as.integer(a[4]) else 100L
load <- function(path) {
	d <- read.csv(path, check.names = FALSE)
	drop <- names(d) %in% c("date", "ticker", "close") |
		(startsWith(names(d), "target") & names(d) != target)
	d[, !drop, drop = FALSE]
}
tr <- load(a[1])
te <- load(a[2])
nf <- ncol(tr) - 1
threads <- parallel::detectCores()
t0 <- proc.time()[["elapsed"]]
m <- ranger(dependent.variable.name = target, data = tr, num.trees = trees,
	mtry = max(1, floor(nf / 3)), min.node.size = 5,
	num.threads = threads, seed = 0, verbose = FALSE)
t1 <- proc.time()[["elapsed"]]
p <- predict(m, te, num.threads = threads)$predictions
t2 <- proc.time()[["elapsed"]]
cat(sprintf("%.3f %.3f %.6f\n", t1 - t0, t2 - t1,
	sqrt(mean((p - te[[target]])^2))))
