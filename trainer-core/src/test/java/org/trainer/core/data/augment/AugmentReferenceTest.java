package org.trainer.core.data.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.trainer.core.Fixtures.tensor;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.trainer.core.Tensor;

/**
 * Replays {@code reference/augment/augment.json} (made by {@code generate_augment.py} beside it
 * with torchvision 0.14 and numpy): each image operation, with its random draws fixed, must match
 * torchvision's tensor implementation to 2e-6 (float32 rounding), flips and crops exactly.
 */
class AugmentReferenceTest {

    @TestFactory
    Stream<DynamicTest> matchesTorchvision() throws IOException {
        JsonNode root;
        try (InputStream in = AugmentReferenceTest.class.getResourceAsStream("/reference/augment/augment.json")) {
            assertNotNull(in, "reference/augment/augment.json is missing: run generate_augment.py");
            root = new ObjectMapper().readTree(in);
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : root.get("cases")) {
            tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> replay(c)));
        }
        assertEquals(45, tests.size(), "expected the full fixture set");
        return tests.stream();
    }

    private static void replay(JsonNode c) {
        Tensor x = tensor(c.get("input"));
        Tensor expected = tensor(c.get("output"));
        JsonNode p = c.get("params");
        float tolerance = 2e-6f;
        Tensor out = switch (c.get("op").asText()) {
            case "hflip" -> HorizontalFlip.flip(x);
            case "vflip" -> VerticalFlip.flip(x);
            case "rotate" -> RandomRotation.rotate(x, p.get("angle").asDouble(),
                    RandomRotation.Interpolation.valueOf(p.get("interpolation").asText()), 0);
            case "blur" -> GaussianBlur.blur(x, p.get("kernelSize").asInt(), p.get("sigma").asDouble());
            case "brightness" -> ColorJitter.adjustBrightness(x, p.get("factor").asDouble(), 0, 1);
            case "contrast" -> ColorJitter.adjustContrast(x, p.get("factor").asDouble(), 0, 1);
            case "crop" -> RandomCrop.crop(x, p.get("padding").asInt(), 0, p.get("top").asInt(), p.get("left").asInt(),
                    p.get("height").asInt(), p.get("width").asInt());
            case "erase" -> RandomErasing.erase(x, p.get("top").asInt(), p.get("left").asInt(), p.get("height").asInt(),
                    p.get("width").asInt(), p.get("value").asDouble());
            case "stretch" -> {
                tolerance = 1e-5f;
                yield TimeStretch.stretch(x, p.get("rate").asDouble());
            }
            default -> throw new AssertionError("unknown op " + c.get("op"));
        };
        assertArrayEquals(expected.shape(), out.shape(), "shape");
        assertArrayEquals(expected.toFloatArray(), out.toFloatArray(), tolerance);
    }
}
