// The drill Lambda, invoked by the operator CLI. Its body lands with issue 6; until then it
// fails loudly.
export const handler = async (): Promise<never> => {
  throw new Error('hcguard drill handler: drills are not built yet (issue 6)');
};
