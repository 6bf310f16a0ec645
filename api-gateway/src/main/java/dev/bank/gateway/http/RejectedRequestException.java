package dev.bank.gateway.http;

import dev.bank.schemas.Problem;

/** A well-formed request the gateway refuses before anything is published (e.g. an expired FX quote). */
public final class RejectedRequestException extends RuntimeException {
    private final transient Problem problem;

    public RejectedRequestException(Problem problem) {
        super(problem.detail());
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }
}
