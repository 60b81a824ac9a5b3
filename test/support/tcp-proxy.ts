import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

/** A TCP proxy on loopback whose connections a test can cut, as a network drop would. */
export class TcpProxy {
  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly sockets: Set<Socket>,
    private readonly links: Set<{ client: Socket; upstream: Socket }>,
    private readonly state: { refusing: boolean },
  ) {}

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const sockets = new Set<Socket>();
    const links = new Set<{ client: Socket; upstream: Socket }>();
    const state = { refusing: false };
    const server = createServer((client) => {
      if (state.refusing) return void client.destroy();
      const upstream = connect(target.port, target.host);
      const link = { client, upstream };
      links.add(link);
      client.on('close', () => links.delete(link));
      for (const [from, to] of [[client, upstream], [upstream, client]] as const) {
        sockets.add(from);
        from.pipe(to);
        from.on('error', () => to.destroy());
        from.on('close', () => {
          sockets.delete(from);
          to.destroy();
        });
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new TcpProxy(server, (server.address() as AddressInfo).port, sockets, links, state);
  }

  /**
   * Stops passing the server's bytes to the clients of the open connections, as a network that
   * fails one way: what a client sends still arrives, what the server answers is lost once the
   * connections are cut. New connections are not affected.
   */
  holdReplies(): void {
    for (const { client, upstream } of this.links) {
      upstream.unpipe(client);
      upstream.pause();
    }
  }

  /** Cuts every open connection and refuses new ones until restore(). */
  cut(): void {
    this.state.refusing = true;
    for (const socket of this.sockets) socket.destroy();
  }

  restore(): void {
    this.state.refusing = false;
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
