import { setMaxListeners } from 'node:events';

/**
 * An `AbortController` for a client's shutdown: every waiting call of the client listens to its signal, so
 * it takes any number of listeners (the default limit of 10 would warn under ordinary concurrency).
 */
export function createShutdownController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}
