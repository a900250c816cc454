/**
 * The part of RxJS barista uses, from its published `rxjs/internal/*` entry points: `rxjs`'s
 * index loads all 220 of its modules (~3 MB of an idle barista's memory) for the dozen used here.
 * They are the very objects `rxjs` exports (test/rx.test.ts), so `rxjs/testing` works with them.
 */
export { Observable } from 'rxjs/internal/Observable';
export { Subject } from 'rxjs/internal/Subject';
export { Subscription } from 'rxjs/internal/Subscription';
export { asyncScheduler } from 'rxjs/internal/scheduler/async';
export { from } from 'rxjs/internal/observable/from';
export { interval } from 'rxjs/internal/observable/interval';
export { merge } from 'rxjs/internal/observable/merge';
export { concatMap } from 'rxjs/internal/operators/concatMap';
export { debounceTime } from 'rxjs/internal/operators/debounceTime';
export { distinctUntilChanged } from 'rxjs/internal/operators/distinctUntilChanged';
export { map } from 'rxjs/internal/operators/map';
export { skip } from 'rxjs/internal/operators/skip';
export { startWith } from 'rxjs/internal/operators/startWith';
export type { OperatorFunction, SchedulerLike } from 'rxjs/internal/types';
