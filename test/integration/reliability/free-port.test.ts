import { expect } from 'chai';
import { createConnection, createServer, type Socket } from 'node:net';
import { firstEphemeralPort, freePort } from '../../reliability/support/processes.js';

/**
 * A chaos run failed when a killed replica could not restart on its port (EADDRINUSE): the port
 * had come from the ephemeral range, where any outgoing connection may take it as its source.
 */
describe('freePort (the chaos replicas restart on the port it gives)', () => {
  it('gives ports below the range the OS hands to outgoing connections, free to listen on', async () => {
    const low = firstEphemeralPort();
    const sockets: Socket[] = [];
    const server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port: target } = server.address() as { port: number };
    // Outgoing connections, whose source ports come from the ephemeral range, all the while.
    const clients = await Promise.all(Array.from({ length: 20 }, () => new Promise<Socket>((resolve) => { const c = createConnection(target, '127.0.0.1', () => resolve(c)); })));
    try {
      for (let i = 0; i < 20; i++) {
        const port = await freePort();
        expect(port).to.be.below(low).and.at.least(10_000);
        expect(clients.map((c) => c.localPort)).not.to.include(port);
      }
    } finally {
      clients.forEach((c) => c.destroy());
      sockets.forEach((s) => s.destroy());
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
