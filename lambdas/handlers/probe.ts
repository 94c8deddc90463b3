// The scheduled probe Lambda. Its body lands with issue 4; until then it fails loudly so a
// deployed stack cannot look healthy while probing nothing.
export const handler = async (): Promise<never> => {
  throw new Error('hcguard probe handler: the probe pipeline is not built yet (issue 4)');
};
