// Starts a server listening and resolves with its address, or rejects with the bind error
// (port taken, address not available), for the ingest and admin servers alike.
import type { AddressInfo, Server } from 'node:net';

export async function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server.address() as AddressInfo;
}
