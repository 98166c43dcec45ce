using HotStandby.DataPathProbe;

// datapath-probe serve MODE PORT LOGFILE   |   datapath-probe load URL CLIENTS SECONDS
// MODE: loop (one thread, epoll, group fsync), loop-nofsync, kestrel-store (Kestrel + a store thread with group fsync,
// the node's shape without Akka and replication), kestrel-inline (Kestrel answering at once, no log).
try
{
    return args switch
    {
        ["serve", var mode, var port, var log] => Serve(mode, int.Parse(port), log),
        ["load", var url, var clients, var seconds] => Load.Run(url, int.Parse(clients), TimeSpan.FromSeconds(double.Parse(seconds))),
        _ => Usage(),
    };
}
catch (FormatException e)
{
    Console.Error.WriteLine($"datapath-probe: {e.Message}");
    return 2;
}

static int Serve(string mode, int port, string log)
{
    switch (mode)
    {
        case "loop": EventLoopServer.Run(port, new ProbeLog(log), fsync: true); return 0;
        case "loop-nofsync": EventLoopServer.Run(port, new ProbeLog(log), fsync: false); return 0;
        case "kestrel-store": KestrelServers.Run(port, new ProbeLog(log)); return 0;
        case "kestrel-inline": KestrelServers.Run(port, log: null); return 0;
        default: return Usage();
    }
}

static int Usage()
{
    Console.Error.WriteLine("usage: datapath-probe serve loop|loop-nofsync|kestrel-store|kestrel-inline PORT LOGFILE | load URL CLIENTS SECONDS");
    return 2;
}
