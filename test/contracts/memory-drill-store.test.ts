import { MemoryDrillStore } from '../fakes/drill-store.ts';
import { drillStoreContract } from './drill-store.contract.ts';

drillStoreContract('in-memory fake', async () => new MemoryDrillStore());
