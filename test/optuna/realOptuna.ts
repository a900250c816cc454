/**
 * Real Optuna for the interop tests: Debian's python3-optuna under /usr/bin/python3 (which
 * .ci/run installs) running test/optuna/interop_study.py, the way the real workers write.
 */
import { probePython, PYTHON } from './support';

export { runStudy, type StudyResult } from './support';

const probe = probePython(['optuna']);
export const optunaVersion = probe.ok ? probe.version : null;

/** `describe` when real Optuna is there, else skipped with one warning saying why. */
export const withRealOptuna: jest.Describe = optunaVersion ? describe : describe.skip;
if (!optunaVersion) {
  console.warn(`SKIPPED the Optuna interop tests: ${PYTHON} cannot import optuna (${probe.why}). .ci/run installs Debian's python3-optuna; run it as root.`);
}
