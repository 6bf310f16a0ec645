package dev.bank.processor.query;

import dev.bank.schemas.PartitionOwners.Instance;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The version of the assignment the processors publish: the same for the same assignment, another for any change. */
class AssignmentVersionTest {
    private static final List<Instance> TWO = List.of(
            new Instance("http://a:8081", List.of(0, 2, 4), List.of(1)),
            new Instance("http://b:8081", List.of(1, 3, 5), List.of(0)));

    @Test
    void theSameAssignmentHasTheSameVersionAndAnyChangeAnother() {
        String version = StoreQueries.assignmentVersion(TWO);
        assertThat(version).matches("[0-9a-f]{16}");
        assertThat(StoreQueries.assignmentVersion(List.copyOf(TWO))).isEqualTo(version);
        // a partition moves
        assertThat(StoreQueries.assignmentVersion(List.of(new Instance("http://a:8081", List.of(0, 2), List.of(1)),
                new Instance("http://b:8081", List.of(1, 3, 4, 5), List.of(0))))).isNotEqualTo(version);
        // a standby moves
        assertThat(StoreQueries.assignmentVersion(List.of(new Instance("http://a:8081", List.of(0, 2, 4), List.of()),
                new Instance("http://b:8081", List.of(1, 3, 5), List.of(0))))).isNotEqualTo(version);
        // an instance comes back at another address
        assertThat(StoreQueries.assignmentVersion(List.of(new Instance("http://a:8082", List.of(0, 2, 4), List.of(1)),
                new Instance("http://b:8081", List.of(1, 3, 5), List.of(0))))).isNotEqualTo(version);
        // an instance is left with nothing
        assertThat(StoreQueries.assignmentVersion(List.of(TWO.get(0), TWO.get(1),
                new Instance("http://c:8081", List.of(), List.of())))).isNotEqualTo(version);
    }
}
