/**
 * Optimizers, learning-rate schedules and gradient clipping. They implement the interfaces that
 * trainer-core's training loop declares.
 */
package org.trainer.optim;
