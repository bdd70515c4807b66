package dev.natgw.nat.fastpath;

import java.util.List;
import java.util.Random;

import dev.natgw.api.dataplane.RssConfig;

/** RSS shapes the port tests run against: 1, 2 and 4 workers, small and large RETAs. */
record RssSetups(String name, RssConfig rss, int[] workerForQueue, Toeplitz toeplitz) {
    RssSetups(String name, RssConfig rss, int[] workerForQueue) {
        this(name, rss, workerForQueue, new Toeplitz(rss.key()));
    }

    PortOwnership ownership(int portMin, int portMax) {
        return new PortOwnership(toeplitz(), rss, workerForQueue, portMin, portMax);
    }

    int workerFor(int src, int dst, int srcPort, int dstPort) {
        // the NIC's view: Toeplitz, RETA, then the queue's worker, without going through PortOwnership
        return workerForQueue[rss.queueForHash(toeplitz.hash(src, dst, srcPort, dstPort))];
    }

    @Override
    public String toString() {
        return name;
    }

    static List<RssSetups> all() {
        Random r = new Random(7);
        int[] random512 = new int[512];
        for (int i = 0; i < random512.length; i++) {
            random512[i] = r.nextInt(4);
        }
        int[] blocks16 = new int[16];
        for (int i = 0; i < blocks16.length; i++) {
            blocks16[i] = i / 4;
        }
        int[] strided64 = new int[64];
        for (int i = 0; i < strided64.length; i++) {
            strided64[i] = i * 5 % 8;
        }
        return List.of(new RssSetups("1 worker, symmetric 128", RssConfig.symmetricDefault(1), new int[]{0}),
                new RssSetups("2 workers, symmetric 128", RssConfig.symmetricDefault(2), new int[]{0, 1}),
                new RssSetups("4 workers, symmetric 128", RssConfig.symmetricDefault(4), new int[]{0, 1, 2, 3}),
                new RssSetups("2 workers, MS key, RETA 8",
                        new RssConfig(ToeplitzTest.MS_KEY, new int[]{0, 1, 1, 0, 0, 0, 1, 1}, 2),
                        new int[]{0, 1}),
                new RssSetups("4 workers, 8 queues, MS key, RETA 64",
                        new RssConfig(ToeplitzTest.MS_KEY, strided64, 8), new int[]{0, 1, 2, 3, 3, 2, 1, 0}),
                new RssSetups("4 workers, MS key, RETA 16 in blocks", new RssConfig(ToeplitzTest.MS_KEY, blocks16, 4),
                        new int[]{0, 1, 2, 3}),
                new RssSetups("4 workers, symmetric key, random RETA 512",
                        new RssConfig(RssConfig.symmetricDefault(1).key(), random512, 4), new int[]{0, 1, 2, 3}));
    }
}
