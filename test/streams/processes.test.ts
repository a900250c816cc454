import { classify, knownArgs, parseScriptArgs, scriptOf, trialOfModelDir } from '../../src/streams/processes';

const CLASSES = [
  ['trader', 'paper_trader_alpaca_polling.py'],
  ['training', '1_optimize_unified.py'],
] as const;

const argv = (line: string) => line.split(' ');

describe('process classes: the script after the interpreter, not a substring', () => {
  // The launch lines of surface.md §6 (and variants), and what a substring match would catch.
  const table: [line: string, expected: string | null][] = [
    ['/home/mrc/.pyenv/versions/cappuccino-rocm/bin/python -u scripts/deployment/paper_trader_alpaca_polling.py --model-dir deployments/model_0 --timeframe 1h --history-hours 120 --poll-interval 3600 --gpu 0', 'trader'],
    ['python3 scripts/deployment/paper_trader_alpaca_polling.py --model-dir deployments/model_0 --poll-interval 60', 'trader'],
    ['python3.11 -u paper_trader_alpaca_polling.py --model-dir deployments/trial_250_live', 'trader'],
    ['/usr/bin/python3 -uB -X dev -W ignore scripts/deployment/paper_trader_alpaca_polling.py', 'trader'],
    ['python -Xfrozen_modules=off -Wignore::DeprecationWarning ./paper_trader_alpaca_polling.py', 'trader'],
    ['python3 -- paper_trader_alpaca_polling.py', 'trader'],
    ['nohup python3 scripts/deployment/paper_trader_alpaca_polling.py --model-dir deployments/model_1', 'trader'],
    ['env PYTHONUNBUFFERED=1 CUDA_VISIBLE_DEVICES=0 python -u paper_trader_alpaca_polling.py', 'trader'],
    ['/usr/bin/env -u DISPLAY python3 paper_trader_alpaca_polling.py', 'trader'],
    ['nice -n 10 ionice -c 3 python3 paper_trader_alpaca_polling.py', 'trader'],
    ['taskset -c 0-3 stdbuf -oL python3 paper_trader_alpaca_polling.py', 'trader'],
    ['python3 -m scripts.deployment.paper_trader_alpaca_polling --model-dir x', 'trader'],
    ['/home/mrc/.pyenv/versions/cappuccino-rocm/bin/python -u scripts/training/1_optimize_unified.py --n-trials 500 --gpu 0 --n-envs 8 --study-name cappuccino_auto_20260216_0340', 'training'],
    // Decoys: they all contain the words.
    ['less logs/paper_trader.log', null],
    ['vim scripts/deployment/paper_trader_alpaca_polling.py', null],
    ['tail -f logs/paper_trader_trial91.log', null],
    ['tail -F logs/paper_trading_live.log paper_trader_alpaca_polling.py', null],
    ['grep paper_trader logs/paper_trader.log', null],
    ['pkill -f paper_trader_alpaca_polling.*model_', null],
    ['watch -n 5 pgrep -af paper_trader_alpaca_polling.py', null],
    ['python3 -c import paper_trader_alpaca_polling.py', null],
    ['python3 -m pytest tests/test_paper_trader_alpaca_polling.py', null],
    ['python3 scripts/tools/analyze.py paper_trader_alpaca_polling.py', null],
    ['python3 scripts/deployment/paper_trader_alpaca_polling.py.bak', null],
    ['python3 old_paper_trader_alpaca_polling.py', null],
    ['python3 -', null],
    ['python3 --version paper_trader_alpaca_polling.py', null],
    ['bash -c python3 paper_trader_alpaca_polling.py --model-dir x', null],
    ['/bin/sh -lc nohup python -u paper_trader_alpaca_polling.py', null],
    // Forks and waits: its child is the process that runs the script.
    ['sudo -u mrc python3 paper_trader_alpaca_polling.py', null],
    ['timeout 3600 python3 paper_trader_alpaca_polling.py', null],
    ['', null],
  ];

  it.each(table)('%s → %s', (line, expected) => {
    expect(classify(line ? argv(line) : [], CLASSES)?.class ?? null).toBe(expected);
  });

  it('matches a pattern with a folder as a path suffix', () => {
    const classes = [['trader', 'deployment/paper_trader_alpaca_polling.py']] as const;
    expect(classify(argv('python -u scripts/deployment/paper_trader_alpaca_polling.py'), classes)?.class).toBe('trader');
    expect(classify(argv('python -u deployment/paper_trader_alpaca_polling.py'), classes)?.class).toBe('trader');
    expect(classify(argv('python -u old_deployment/paper_trader_alpaca_polling.py'), classes)).toBeNull();
    expect(classify(argv('python -u paper_trader_alpaca_polling.py'), classes)).toBeNull();
  });

  it('matches a program by its own name, not by a path it is given', () => {
    const classes = [['advisor', 'ollama']] as const;
    expect(classify(argv('/usr/local/bin/ollama serve'), classes)?.class).toBe('advisor');
    expect(classify(argv('cat /usr/local/bin/ollama'), classes)).toBeNull();
  });

  it('runs shell scripts by their script argument', () => {
    const classes = [['launcher', 'start_safe_workers.sh']] as const;
    expect(classify(argv('/bin/bash -e start_safe_workers.sh'), classes)?.class).toBe('launcher');
    expect(classify(argv('bash --norc ./start_safe_workers.sh'), classes)?.class).toBe('launcher');
    expect(classify(argv('bash -c ./start_safe_workers.sh'), classes)).toBeNull();
  });

  it('keeps the arguments after the script', () => {
    expect(scriptOf(argv('env A=1 python3 -X dev -u x.py --a 1 -b'))).toEqual({ kind: 'path', script: 'x.py', interpreter: 'python3', args: ['--a', '1', '-b'] });
    expect(scriptOf(argv('python3 -um pkg.mod --a'))).toEqual({ kind: 'module', script: 'pkg.mod', interpreter: 'python3', args: ['--a'] });
  });
});

describe('script arguments', () => {
  it('reads --x v and --x=v, lists, flags and negative numbers', () => {
    const args = parseScriptArgs(
      argv('--model-dir deployments/model_0 --log-file=paper_trades/trial250_session.csv --tickers BTC/USD ETH/USD --gpu -1 --live --timeframe 1h --stop-loss-pct 0.10 --timeframe 5m'),
    );
    expect(args).toEqual({
      model_dir: 'deployments/model_0',
      log_file: 'paper_trades/trial250_session.csv',
      tickers: ['BTC/USD', 'ETH/USD'],
      gpu: '-1',
      live: true,
      timeframe: '5m', // a later repeat wins, as in argparse
      stop_loss_pct: '0.10',
    });
    expect(knownArgs(args)).toEqual({ model_dir: 'deployments/model_0', log_file: 'paper_trades/trial250_session.csv', timeframe: '5m', study_name: null });
    expect(knownArgs(parseScriptArgs(argv('--n-trials 500 --study-name=cappuccino_auto_20260216_0340')))).toMatchObject({ study_name: 'cappuccino_auto_20260216_0340' });
  });

  it('keeps positionals before any option', () => {
    expect(parseScriptArgs(['in.csv', 'out.csv', '--x=1'])).toEqual({ _: ['in.csv', 'out.csv'], x: '1' });
    expect(parseScriptArgs([])).toEqual({});
  });

  it('reads the trial number from the model dir as the trader does', () => {
    expect(trialOfModelDir('deployments/trial_250_live')).toBe(250);
    expect(trialOfModelDir('train_results/deployment_trial250_20260207_175728')).toBe(250);
    expect(trialOfModelDir('deployments/model_0')).toBeNull();
    expect(trialOfModelDir(null)).toBeNull();
  });
});
