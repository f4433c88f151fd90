// The Slurm job array of packaging/slurm on a real one-node Slurm cluster that this test
// starts itself (munged, slurmctld, slurmd from Debian's munge, slurmctld, slurmd and
// slurm-client packages; state, spool, key and sockets in a temporary folder): a 12-item
// manifest as a 3-task array, one task cancelled mid-item and resubmitted; every item must
// be done exactly once, with intact outputs. Opt-in (label "slurm"): it needs those
// packages installed and runs as root. The daemons it started are stopped by PID.
#include <nlohmann/json.hpp>

#include <QImage>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const QString kSlurmDir = QStringLiteral(PAE_SOURCE_DIR "/packaging/slurm");

std::string readText(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

bool portFree(int port)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(uint16_t(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
}

// The JSON progress events in a task's log (its other lines are shell and error text).
std::vector<json> eventsIn(const fs::path& log)
{
    std::vector<json> events;
    std::istringstream in(readText(log));
    std::string line;
    while (std::getline(in, line))
        if (!line.empty() && line[0] == '{') {
            const json j = json::parse(line, nullptr, false);
            if (!j.is_discarded() && j.contains("event"))
                events.push_back(j);
        }
    return events;
}

class TestBatchSlurm : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;
    fs::path m_dir;
    std::vector<std::unique_ptr<QProcess>> m_daemons; // munged, slurmctld, slurmd
    QProcessEnvironment m_env;

    fs::path path(const std::string& name) const { return m_dir / name; }

    struct Out {
        int code;
        QString out;
        QString err;
    };

    // Slurm's and munge's daemons live in /usr/sbin, which a user's PATH may lack.
    static QString exe(const QString& name)
    {
        if (name.contains('/'))
            return name;
        const QString found = QStandardPaths::findExecutable(name);
        return found.isEmpty() ? QStandardPaths::findExecutable(name, {"/usr/sbin", "/sbin"}) : found;
    }

    Out tool(const QString& program, const QStringList& args)
    {
        QProcess p;
        p.setProcessEnvironment(m_env);
        p.start(exe(program), args);
        if (!p.waitForFinished(60000))
            return {-1, {}, program + ": timeout"};
        return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2, QString::fromUtf8(p.readAllStandardOutput()),
                QString::fromUtf8(p.readAllStandardError())};
    }

    bool startDaemon(const QString& program, const QStringList& args)
    {
        auto p = std::make_unique<QProcess>();
        p->setProcessEnvironment(m_env);
        p->setProcessChannelMode(QProcess::MergedChannels);
        p->setStandardOutputFile(QString::fromStdString(path(QFileInfo(program).fileName().toStdString() + ".out").string()));
        p->start(exe(program), args);
        const bool ok = p->waitForStarted(10000);
        m_daemons.push_back(std::move(p));
        return ok;
    }

    template <class F>
    static bool waitFor(F condition, int seconds)
    {
        const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
        while (std::chrono::steady_clock::now() < end) {
            if (condition())
                return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(250));
        }
        return condition();
    }

    bool queueEmpty()
    {
        const Out q = tool("squeue", {"-h", "-o", "%i"});
        return q.code == 0 && q.out.trimmed().isEmpty();
    }

    // "ARRAY REPORT" as submit.sh wrote them.
    std::pair<QString, QString> submit(const QStringList& extra)
    {
        const Out s = tool(kSlurmDir + "/submit.sh",
                           QStringList{QString::fromStdString(path("manifest.jsonl").string()),
                                       QString::fromStdString(path("out").string()), "3"} +
                               extra + QStringList{"--", "--cpus-per-task=1"});
        if (s.code != 0)
            qWarning("submit.sh: %s %s", qPrintable(s.out), qPrintable(s.err));
        const QStringList ids = QString::fromStdString(readText(path("out/logs/last-submission"))).split(' ');
        return {ids.value(0).trimmed(), ids.value(1).trimmed()};
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        m_dir = fs::path(m_tmp.path().toStdString());
        for (const char* tool : {"munged", "mungekey", "slurmctld", "slurmd", "sbatch", "squeue", "scancel", "sinfo"})
            if (exe(tool).isEmpty())
                QFAIL(qPrintable(QString("%1 is not installed: apt-get install slurmctld slurmd slurm-client munge "
                                         "(or run scripts/slurm-test.sh)")
                                     .arg(tool)));
        if (::geteuid() != 0)
            QFAIL("the test starts slurmd, which runs jobs as their user: run it as root");
        fs::create_directories(path("state"));
        fs::create_directories(path("spool"));
        fs::permissions(m_dir, fs::perms(0755)); // slurmd's job steps read the scripts' folder

        int port = 17000 + int(::getpid() % 4000) * 2;
        while (!(portFree(port) && portFree(port + 1)))
            port += 2;
        char host[256] = {};
        ::gethostname(host, sizeof host - 1);
        std::string node(host);
        node = node.substr(0, node.find('.'));
        const std::string d = m_dir.string();
        std::ofstream conf(path("slurm.conf"));
        conf << "ClusterName=paetest\n"
             << "SlurmctldHost=" << node << "(127.0.0.1)\n"
             << "SlurmUser=root\nSlurmdUser=root\n"
             << "SlurmctldPort=" << port << "\nSlurmdPort=" << port + 1 << "\n"
             << "AuthType=auth/munge\nCredType=cred/munge\nAuthInfo=socket=" << d << "/munge.socket\n"
             << "StateSaveLocation=" << d << "/state\nSlurmdSpoolDir=" << d << "/spool\n"
             << "SlurmctldPidFile=" << d << "/slurmctld.pid\nSlurmdPidFile=" << d << "/slurmd.pid\n"
             << "SlurmctldLogFile=" << d << "/slurmctld.log\nSlurmdLogFile=" << d << "/slurmd.log\n"
             << "ProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\n"
             << "SchedulerType=sched/backfill\nSelectType=select/cons_tres\nSelectTypeParameters=CR_CPU\n"
             // three one-CPU tasks at once, whatever the machine has
             << "SlurmdParameters=config_overrides\n"
             << "ReturnToService=2\nMpiDefault=none\nJobAcctGatherType=jobacct_gather/none\n"
             << "AccountingStorageType=accounting_storage/none\nSchedulerParameters=sched_interval=2\n"
             << "KillWait=30\n"
             << "NodeName=" << node << " NodeAddr=127.0.0.1 CPUs=3 State=UNKNOWN\n"
             << "PartitionName=debug Nodes=" << node << " Default=YES MaxTime=INFINITE State=UP\n";
        conf.close();

        m_env = QProcessEnvironment::systemEnvironment();
        m_env.insert("SLURM_CONF", QString::fromStdString(path("slurm.conf").string()));
        m_env.insert("PAE_CLI", PAE_CLI_PATH);
        m_env.insert("PATH", m_env.value("PATH") + ":/usr/sbin:/sbin");

        QCOMPARE(tool("mungekey", {"--create", "--keyfile", QString::fromStdString(path("munge.key").string())}).code, 0);
        QVERIFY(startDaemon("munged", {"--foreground", "--force", "--key-file=" + QString::fromStdString(d + "/munge.key"),
                                       "--socket=" + QString::fromStdString(d + "/munge.socket"),
                                       "--pid-file=" + QString::fromStdString(d + "/munged.pid"),
                                       "--seed-file=" + QString::fromStdString(d + "/munged.seed"),
                                       "--log-file=" + QString::fromStdString(d + "/munged.log")}));
        QVERIFY2(waitFor([&] { return fs::exists(path("munge.socket")); }, 20), readText(path("munged.out")).c_str());
        QVERIFY(startDaemon("slurmctld", {"-D", "-f", QString::fromStdString(d + "/slurm.conf")}));
        QVERIFY(startDaemon("slurmd", {"-D", "-f", QString::fromStdString(d + "/slurm.conf"), "-N",
                                       QString::fromStdString(node)}));
        const auto start = std::chrono::steady_clock::now();
        QVERIFY2(waitFor([&] { return tool("sinfo", {"-h", "-o", "%t"}).out.trimmed() == "idle"; }, 60),
                 (readText(path("slurmctld.log")) + readText(path("slurmd.log"))).c_str());
        qInfo("one-node Slurm cluster up in %.1f s",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }

    void shouldDoEveryItemExactlyOnce_whenATaskIsCancelledAndResubmitted()
    {
        // 12 items of about the same work; with 3 shards, 4 each.
        std::ofstream manifest(path("manifest.jsonl"));
        const char* prompts[] = {"a happy face", "a sad face", "an angry face", "a surprised face"};
        for (int i = 0; i < 12; ++i)
            manifest << "{\"id\": \"item-" << i << "\", \"seed\": " << 100 + i << ", \"prompt\": \"" << prompts[i % 4]
                     << "\", \"steps\": 150}\n";
        manifest.close();

        const auto [array, report] = submit({});
        QVERIFY2(!array.isEmpty() && !report.isEmpty(), "submit.sh printed no job ids");
        const fs::path log1 = path("out/logs/pae-batch-" + array.toStdString() + "_1.out");
        // Cancel task 1 once it has finished an item: it is then in the middle of the next.
        QVERIFY2(waitFor(
                     [&] {
                         for (const auto& e : eventsIn(log1))
                             if (e["event"] == "item" && e["status"] == "done")
                                 return true;
                         return false;
                     },
                     300),
                 readText(log1).c_str());
        QCOMPARE(tool("scancel", {array + "_1"}).code, 0);
        QVERIFY2(waitFor([&] { return queueEmpty(); }, 600), qPrintable(tool("squeue", {}).out));
        const auto cancelled = eventsIn(log1);
        QVERIFY2(!cancelled.empty() && cancelled.back()["event"] == "interrupted",
                 ("task 1 was not stopped mid-shard:\n" + readText(log1)).c_str());
        // The report ran after the array even so, and saw the gap.
        const json firstSummary = json::parse(readText(path("out/summary.json")));
        QVERIFY(firstSummary["done"].get<int>() < 12);
        QCOMPARE(firstSummary["failed"].get<int>(), 0);

        const auto [again, report2] = submit({"1"});
        QVERIFY(!again.isEmpty());
        QVERIFY2(waitFor([&] { return queueEmpty(); }, 600), qPrintable(tool("squeue", {}).out));

        // Every item done exactly once over all runs; the resubmitted task skipped what
        // the cancelled one had finished.
        std::map<std::string, int> done;
        std::set<std::string> skipped;
        for (const auto& entry : fs::directory_iterator(path("out/logs")))
            if (entry.path().filename().string().rfind("pae-batch-", 0) == 0 &&
                entry.path().filename().string().find("report") == std::string::npos)
                for (const auto& e : eventsIn(entry.path())) {
                    if (e["event"] != "item")
                        continue;
                    QVERIFY2(e["status"] == "done" || e["status"] == "skipped", e.dump().c_str());
                    if (e["status"] == "done")
                        ++done[e["id"].get<std::string>()];
                    else
                        skipped.insert(e["id"].get<std::string>());
                }
        QCOMPARE(done.size(), size_t(12));
        for (const auto& [id, n] : done)
            QVERIFY2(n == 1, (id + " was done " + std::to_string(n) + " times").c_str());
        QVERIFY(!skipped.empty());
        const fs::path log1Again = path("out/logs/pae-batch-" + again.toStdString() + "_1.out");
        QVERIFY2(fs::exists(log1Again), log1Again.c_str());

        // Intact outputs: every file metrics.json lists, at its size; images decode; no
        // temporary files.
        for (int i = 0; i < 12; ++i) {
            const fs::path item = path("out/item-" + std::to_string(i));
            const json metrics = json::parse(readText(item / "metrics.json"));
            for (const auto& f : metrics["batch"]["files"])
                QCOMPARE(uintmax_t(fs::file_size(item / f["name"].get<std::string>())), f["bytes"].get<uintmax_t>());
            QCOMPARE(QImage(QString::fromStdString((item / "image-0.png").string())).size(), QSize(64, 64));
            QCOMPARE(metrics["steps_run"].get<int>(), 150);
            QVERIFY(metrics["batch"]["cluster"].contains("SLURM_ARRAY_TASK_ID"));
        }
        for (const auto& e : fs::recursive_directory_iterator(path("out")))
            QVERIFY2(e.path().filename().string().find(".tmp") == std::string::npos, e.path().c_str());

        const json summary = json::parse(readText(path("out/summary.json")));
        QCOMPARE(summary["done"].get<int>(), 12);
        QCOMPARE(summary["failed"].get<int>(), 0);
        QCOMPARE(summary["missing"].get<int>(), 0);
        QCOMPARE(summary["incomplete"].get<int>(), 0);
        qInfo("report: %s", summary.dump().c_str());
    }

    void cleanupTestCase()
    {
        if (!m_env.isEmpty() && !m_daemons.empty()) {
            const Out q = tool("squeue", {"-h", "-o", "%i"});
            if (!q.out.trimmed().isEmpty())
                tool("scancel", q.out.trimmed().split('\n'));
            waitFor([&] { return queueEmpty(); }, 60);
        }
        // slurmd, slurmctld, munged: the processes this test started, by their PIDs.
        for (auto it = m_daemons.rbegin(); it != m_daemons.rend(); ++it) {
            QProcess& p = **it;
            if (p.state() == QProcess::NotRunning)
                continue;
            ::kill(pid_t(p.processId()), SIGTERM);
            if (!p.waitForFinished(20000)) {
                ::kill(pid_t(p.processId()), SIGKILL);
                p.waitForFinished(5000);
            }
        }
    }
};

} // namespace

QTEST_GUILESS_MAIN(TestBatchSlurm)
#include "tst_batch_slurm.moc"
