#include "core/util/device.h"
#include "core/util/error.h"

#include <torch/cuda.h>

#include <QtTest/QtTest>

class TestDevice : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void shouldParseKnownChoices()
    {
        QVERIFY(pae::parseDeviceChoice("auto") == pae::DeviceChoice::Auto);
        QVERIFY(pae::parseDeviceChoice("cpu") == pae::DeviceChoice::Cpu);
        QVERIFY(pae::parseDeviceChoice("cuda") == pae::DeviceChoice::Cuda);
    }

    void shouldRejectUnknownChoice_withTheValueNamed()
    {
        try {
            pae::parseDeviceChoice("gpu0");
            QFAIL("no error for an unknown device");
        } catch (const pae::UsageError& e) {
            QVERIFY(QString(e.what()).contains("gpu0"));
        }
    }

    void shouldRefuseCuda_whenAbsent()
    {
        if (torch::cuda::is_available())
            QSKIP("this machine has CUDA");
        QVERIFY_THROWS_EXCEPTION(pae::Error, pae::resolveDevice(pae::DeviceChoice::Cuda));
        QVERIFY(pae::resolveDevice(pae::DeviceChoice::Auto).is_cpu());
    }
};

QTEST_GUILESS_MAIN(TestDevice)
#include "tst_device.moc"
