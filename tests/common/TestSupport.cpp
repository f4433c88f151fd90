#include "TestSupport.h"

#include <QProcess>
#include <QProcessEnvironment>

namespace pae::test {

CliResult runCli(const QStringList& args, const CliOptions& options)
{
    QProcess p;
    if (!options.cacheDir.isEmpty()) {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("XDG_CACHE_HOME"), options.cacheDir);
        p.setProcessEnvironment(env);
    }
    if (!options.workingDir.isEmpty())
        p.setWorkingDirectory(options.workingDir);
    p.start(QStringLiteral(PAE_CLI_PATH), args);
    CliResult r;
    if (!p.waitForFinished(options.timeoutMs)) {
        p.kill();
        p.waitForFinished(5000);
        r.err = QStringLiteral("pae-cli did not finish within %1 s").arg(options.timeoutMs / 1000);
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

} // namespace pae::test
