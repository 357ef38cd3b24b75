// Endurance: one fast-forwarded session in a child process (see endurance-child.ts).

import path from 'node:path';
import { RpcChild } from './lib/ipc.js';
import { BENCH_DIST } from './lib/util.js';

export interface Memory {
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  newSpaceMb: number;
  externalMb: number;
}

export interface EnduranceResult {
  interval: string;
  day: string;
  fakeHours: number;
  wallMs: number;
  cpuMs: number;
  atStart: Memory;
  atEnd: Memory;
  peakRssMb: number;
  rssGrowthMb: number;
  heapGrowthMb: number;
  samples: (Memory & { ist: string })[];
  /** V8's young generation grown meanwhile (it sizes itself by allocation rate). */
  newSpaceGrowthMb: number;
  fileLines: number;
  exitCode: number;
  trades: number;
  realised: number;
  phaseAtEnd: string;
  squaredOffDay: string | null;
  logLines: number;
  brokerCalls: number;
  ordersPlaced: number;
  stateWrites: number;
  stateWriteMs: number;
  marketSteps: number;
}

export async function measureEndurance(o: { interval: string; day: string; seed: number; stepMs?: number }): Promise<EnduranceResult> {
  const child = RpcChild.fork(path.join(BENCH_DIST, 'endurance-child.js'), { execArgv: ['--expose-gc'] });
  try {
    return await child.call<EnduranceResult>('session', { stepMs: 1000, ...o });
  } finally {
    await child.close();
  }
}
