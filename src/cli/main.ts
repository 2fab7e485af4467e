// `gradprobe check` and `gradprobe eval`: a thin shell over the core.
import { runCheck } from './check';
import { runEval } from './eval';
import { UsageError } from './usage';

const help = `usage: gradprobe check [PATH ...] [--format text|json|sarif] [--fail-on error|warning|info|never]
                       [--range R] [--select CODES] [--ignore CODES] [--include GLOB] [--exclude GLOB]
                       [--train] [--dtype float32|float16|bfloat16] [--backend auto|cpu|node]
       gradprobe eval FILE NAME (--x JSON | --y-true JSON --y-pred JSON) [--backend auto|cpu|node]`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'check': return runCheck(rest);
    case 'eval': return runEval(rest);
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(`${help}\n`);
      return 0;
    case '--version':
      process.stdout.write('gradprobe 0.1.0\n');
      return 0;
    default:
      throw new UsageError(command ? `unknown command '${command}'` : 'no command given');
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`gradprobe: ${err.message}\n${err.showHelp ? `${help}\n` : ''}`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`gradprobe: internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
