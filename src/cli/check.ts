import { UsageError } from './usage';
export async function runCheck(_argv: string[]): Promise<number> {
  throw new UsageError('check: not yet available');
}
