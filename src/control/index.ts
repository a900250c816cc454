/** Acting on the monitored system's processes: plan, then execute (no Discord here). */
export { Controller, type ControllerOptions, type ExecuteOptions, type Outcome, type Progress } from './Controller';
export { procFinder, sameTrader, type FoundProcess, type ProcessFinder } from './finder';
export { checkName, nameShapeProblem, MAX_NAME_LENGTH } from './names';
export type { Candidate, Plan, Refusal, RefusalCode, RestartPlan, StartPlan, StopPlan, WorkersPlan } from './plan';
export type { StartOutcome, StartProgress, ExitStatus } from './start';
export type { StopOutcome, StopProgress } from './stop';
export { controlTargets, singleTraderName, type TraderTarget } from './targets';
export type { WorkerSignalResult } from './workers';
