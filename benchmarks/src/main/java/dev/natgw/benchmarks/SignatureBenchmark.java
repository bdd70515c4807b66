package dev.natgw.benchmarks;

import dev.natgw.traversal.protocol.Keys;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Signature;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The Ed25519 signature of a data connection's proof (the 46 + 32 bytes DATA signs), made and checked by
 * {@link Keys} (Bouncy Castle's Ed25519) against the JDK's own provider, in the same run. Each new relayed connection
 * costs one signature (the server) and one check (the forwarder); each lookup a check of a signed registry value.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar SignatureBenchmark -f 3
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
public class SignatureBenchmark {

    private KeyPair pair;
    private byte[] data;
    private byte[] signature;

    @Setup
    public void setup() {
        pair = Keys.generate();
        data = Keys.dataProof(Keys.nonce(), Keys.nonce());
        signature = Keys.sign(pair.getPrivate(), data);
    }

    @Benchmark
    public byte[] signKeys() {
        return Keys.sign(pair.getPrivate(), data);
    }

    @Benchmark
    public byte[] signJdk() throws GeneralSecurityException {
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(pair.getPrivate());
        s.update(data);
        return s.sign();
    }

    @Benchmark
    public boolean verifyKeys() {
        return Keys.verify(pair.getPublic(), data, signature);
    }

    @Benchmark
    public boolean verifyJdk() throws GeneralSecurityException {
        Signature s = Signature.getInstance("Ed25519");
        s.initVerify(pair.getPublic());
        s.update(data);
        return s.verify(signature);
    }
}
