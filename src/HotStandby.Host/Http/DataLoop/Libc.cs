using System.Runtime.InteropServices;

namespace HotStandby.Host.Http.DataLoop;

/// <summary>The few Linux calls the data loop makes itself: epoll, eventfd, accept4, read, write, close.</summary>
internal static unsafe partial class Libc
{
    [StructLayout(LayoutKind.Sequential, Pack = 1)]
    public struct EpollEvent
    {
        public uint Events;
        public ulong Data;
    }

    public const uint EpollIn = 0x001, EpollOut = 0x004, EpollErr = 0x008, EpollHup = 0x010, EpollRdHup = 0x2000;
    public const int EpollCtlAdd = 1, EpollCtlDel = 2, EpollCtlMod = 3;
    public const int EAgain = 11, EIntr = 4;
    private const int NonBlocking = 0x800, CloseOnExec = 0x80000;

    public static int CreateEpoll()
    {
        var fd = EpollCreate1(CloseOnExec);
        return fd >= 0 ? fd : throw new IOException($"epoll_create1: errno {Marshal.GetLastPInvokeError()}");
    }

    public static int CreateEventFd()
    {
        var fd = EventFd(0, NonBlocking | CloseOnExec);
        return fd >= 0 ? fd : throw new IOException($"eventfd: errno {Marshal.GetLastPInvokeError()}");
    }

    public static void Control(int epoll, int op, int fd, uint events, ulong data)
    {
        var e = new EpollEvent { Events = events, Data = data };
        if (EpollCtl(epoll, op, fd, &e) != 0)
            throw new IOException($"epoll_ctl {op} fd {fd}: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <returns>a new non-blocking connection's descriptor, or -1 when none is waiting</returns>
    public static int AcceptNonBlocking(int listenFd) => Accept4(listenFd, IntPtr.Zero, IntPtr.Zero, NonBlocking | CloseOnExec);

    public static void SetNoDelay(int fd)
    {
        const int ipprotoTcp = 6, tcpNoDelay = 1;
        var one = 1;
        SetSockOpt(fd, ipprotoTcp, tcpNoDelay, &one, sizeof(int));
    }

    public static void Signal(int eventFd)
    {
        ulong one = 1;
        Write(eventFd, (byte*)&one, sizeof(ulong));
    }

    public static void Drain(int eventFd)
    {
        ulong count;
        Read(eventFd, (byte*)&count, sizeof(ulong));
    }

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    private static partial int EpollCreate1(int flags);

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    private static partial int EventFd(uint initial, int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static partial int EpollCtl(int epoll, int op, int fd, EpollEvent* e);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    public static partial int EpollWait(int epoll, EpollEvent* events, int max, int timeoutMs);

    [LibraryImport("libc", EntryPoint = "accept4", SetLastError = true)]
    private static partial int Accept4(int fd, IntPtr address, IntPtr length, int flags);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    private static partial int SetSockOpt(int fd, int level, int option, void* value, int length);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);
}
