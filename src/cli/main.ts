// `gradprobe check | eval | rule`: a thin shell over the core.
import { version } from '../../package.json';
import { runCheck } from './check';
import { runRule } from './rule';
import { runServer } from './server';
import { loadEngine } from './engineBundle';
import { finish } from './exit';
import { UsageError } from './usage';

const overview = `gradprobe ${version}: finds custom activation and loss functions in Python (PyTorch, TensorFlow/Keras,
JAX, NumPy; files and notebooks) and TensorFlow.js code, translates them to TensorFlow.js without
running your code, and probes their gradients.

Usage: gradprobe COMMAND [OPTIONS]

Commands:
  check [PATH ...]      Find and probe the functions in files and folders; print the findings
                        (text, json or sarif); exit 0 (clean), 1 (a finding at --fail-on) or 2 (usage error)
  eval FILE NAME        Evaluate one activation (--x) or loss (--y-true, --y-pred) and print values and gradients
  rule CODE             Print a finding code's page; rule --all lists every code
  server [--stdio]      Run the language server for an LSP editor (Neovim, Helix, Zed; docs/editors.md)

Options:
  -h, --help            Print this help; 'gradprobe COMMAND --help' explains a command and all its options
  -V, --version         Print the version

Examples:
  gradprobe check .
  gradprobe check src --format sarif > gradprobe.sarif
  gradprobe rule GP303
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'check': return runCheck(rest);
    case 'eval': return loadEngine().runEval(rest);
    case 'rule': return runRule(rest);
    case 'server': return runServer(rest);
    case 'help':
      if (rest[0] === 'check' || rest[0] === 'eval' || rest[0] === 'rule' || rest[0] === 'server') return main([rest[0], '--help']);
      process.stdout.write(overview);
      return 0;
    case '--help':
    case '-h':
      process.stdout.write(overview);
      return 0;
    case '--version':
    case '-V':
      process.stdout.write(`gradprobe ${version}\n`);
      return 0;
    case undefined:
      // As other command-line tools do: the help, on stderr, and the usage-error status.
      process.stderr.write(overview);
      return 2;
    default:
      throw new UsageError(`unknown command '${command}' (commands: check, eval, rule, server; see 'gradprobe --help')`);
  }
}

finish(main(process.argv.slice(2)));
