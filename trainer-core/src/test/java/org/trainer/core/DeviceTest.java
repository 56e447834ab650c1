package org.trainer.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DeviceTest {

    @Test
    void namesParseAsPyTorchWritesThem() {
        assertSame(Device.CPU, Device.parse("cpu"));
        assertEquals(Device.cuda(0), Device.parse("cuda"));
        assertEquals(Device.cuda(0), Device.parse("cuda:0"));
        assertEquals(Device.cuda(3), Device.parse(" cuda:3 "));
        for (Device d : new Device[] {Device.CPU, Device.cuda(0), Device.cuda(7), new Device("test", 0)}) {
            assertEquals(d, Device.parse(d.toString()), d.toString());
        }
    }

    @Test
    void badNamesAreRefusedNamingTheValue() {
        for (String bad : new String[] {"", "CUDA", "cuda:", "cuda:x", "cuda:-1", ":0", "gpu 0"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Device.parse(bad), bad);
            assertTrue(e.getMessage().contains("'" + bad + "'") || e.getMessage().contains("-1"), e.getMessage());
        }
    }
}
