using Akka.Configuration;
using Akka.Dispatch;

namespace HotStandby.Host.Http.DataLoop;

/// <summary>
/// An Akka executor whose one thread is the data loop: a dispatcher configured with it (<c>data-loop = NAME</c>) runs
/// its actors' mailboxes in the loop's turns, between reading the requests and sending the answers.
/// </summary>
public sealed class DataLoopExecutorConfigurator(Config config, IDispatcherPrerequisites prerequisites)
    : ExecutorServiceConfigurator(config, prerequisites)
{
    private readonly string _loopName = config.GetString("data-loop", null)
                                        ?? throw new ConfigurationException("a data-loop dispatcher needs data-loop = NAME");

    public override ExecutorService Produce(string id) => new LoopExecutor(id, KvDataLoop.Find(_loopName));

    private sealed class LoopExecutor(string id, KvDataLoop loop) : ExecutorService(id)
    {
        public override void Execute(IRunnable run) => loop.Post(run);

        public override void Shutdown()
        {
        }
    }
}
