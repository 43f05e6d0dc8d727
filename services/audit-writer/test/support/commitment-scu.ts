/**
 * A Storage Commitment Push SCU for the tests: DCMTK 3.6.7 has none, so this drives the adapter's own SCU
 * (its compiled client, the only deep import into another package here, test-only). It asks the adapter to
 * commit instances with N-ACTION and waits for the N-EVENT-REPORT on the same association: real DICOM traffic.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { testLog, waitFor } from './harness.js';

const ADAPTER_DIST = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../../adapter/dist/src',
);

interface Registry {
  handle(type: string, handler: () => [number, null]): void;
}
interface Client {
  nAction(cls: string, inst: string, action: number, info: unknown): Promise<{ status: number }>;
  release(): Promise<void>;
}
interface AdapterScu {
  associate(opts: Record<string, unknown>): Promise<Client>;
  HandlerRegistry: new () => Registry;
}

async function adapterScu(): Promise<AdapterScu> {
  const load = (p: string) => import(pathToFileURL(path.join(ADAPTER_DIST, p)).href);
  const [client, bus] = await Promise.all([load('association/client.js'), load('events/event-bus.js')]);
  return { associate: client.associate, HandlerRegistry: bus.HandlerRegistry };
}

export const STORAGE_COMMITMENT_PUSH = '1.2.840.10008.1.20.1';
const STORAGE_COMMITMENT_INSTANCE = '1.2.840.10008.1.20.1.1';

export async function requestCommitment(
  port: number,
  transactionUid: string,
  refs: readonly [sopClass: string, sopInstance: string][],
): Promise<number> {
  const { associate, HandlerRegistry } = await adapterScu();
  const handlers = new HandlerRegistry();
  let reports = 0;
  handlers.handle('EVT_N_EVENT_REPORT', () => {
    reports += 1;
    return [0, null];
  });
  const c = await associate({
    host: '127.0.0.1',
    port,
    callingAeTitle: 'COMMITSCU',
    calledAeTitle: 'DICOMTRAIL',
    contexts: [{ abstractSyntax: STORAGE_COMMITMENT_PUSH, transferSyntaxes: ['1.2.840.10008.1.2.1'] }],
    log: testLog,
    handlers,
  });
  const rsp = await c.nAction(STORAGE_COMMITMENT_PUSH, STORAGE_COMMITMENT_INSTANCE, 1, {
    '00081195': { vr: 'UI', Value: [transactionUid] },
    '00081199': {
      vr: 'SQ',
      Value: refs.map(([cls, inst]) => ({
        '00081150': { vr: 'UI', Value: [cls] },
        '00081155': { vr: 'UI', Value: [inst] },
      })),
    },
  });
  await waitFor(() => reports > 0, 10_000, 'the storage commitment N-EVENT-REPORT');
  await c.release();
  return rsp.status;
}
