import { MemoryStateStore } from '../fakes/memory-state-store.ts';
import { stateStoreContract } from './state-store.contract.ts';

stateStoreContract('in-memory fake', async () => {
  const store = new MemoryStateStore();
  return {
    store,
    startDrill: async (drillId, targets) => {
      store.drill = { drillId, targets };
    },
  };
});
