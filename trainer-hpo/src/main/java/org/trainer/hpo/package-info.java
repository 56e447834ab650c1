/**
 * Hyperparameter optimization over repeated training runs: a {@link org.trainer.hpo.Study} of
 * {@link org.trainer.hpo.Trial}s over a {@link org.trainer.hpo.SearchSpace} (define-by-run, or
 * declared ranges), {@link org.trainer.hpo.Sampler}s that propose the next point (grid, random,
 * Bayesian with a Gaussian process), {@link org.trainer.hpo.Pruner}s that stop unpromising trials
 * early (median rule, successive halving, Hyperband) and the synchronous
 * {@link org.trainer.hpo.HyperbandScheduler}, {@link org.trainer.hpo.TrialExecutor}s that run
 * trials, a {@link org.trainer.hpo.Journal} that lets a study survive a crash,
 * {@link org.trainer.hpo.WarmStart} from earlier studies, and the
 * {@link org.trainer.hpo.TuningJob} facade in SageMaker's terms with its tables and plots.
 */
package org.trainer.hpo;
