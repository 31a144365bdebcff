package org.dicomsidecar.docker;

import static org.dicomsidecar.docker.ComposeYaml.list;
import static org.dicomsidecar.docker.ComposeYaml.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dicomsidecar.config.Setting;
import org.dicomsidecar.workflow.WorkflowLongPolls;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The several-node recipe (docker/docker-compose.cluster.yml over docker/docker-compose.yml, with
 * docker/couchdb/ and docker/lb/) keeps its shape: three CouchDB nodes of one cluster, a setup that joins them all
 * and can run again, two sidecars that differ from the single node's only by their names and volumes, a
 * balancer in front of both, and nothing published beyond 127.0.0.1. Checked as text: no Docker engine runs the
 * recipe here.
 */
class DockerClusterRecipeTest {

    private static final Path ROOT = Path.of(System.getProperty("sidecar.project.root", "..")).toAbsolutePath()
            .normalize();
    private static final Path DOCKER = ROOT.resolve("docker");
    private static final String SIDECAR_DOCKERFILE = "docker/sidecar/Dockerfile";
    private static final String SIDECAR_DATA = "/opt/jboss/wildfly/standalone/data";

    private static Map<String, Object> compose(String file) throws IOException {
        return ComposeYaml.parse(Files.readString(DOCKER.resolve(file)));
    }

    private static Map<String, Object> services(Map<String, Object> compose) {
        return map(compose.get("services"));
    }

    private static Map<String, Object> service(Map<String, Object> compose, String name) {
        Object service = services(compose).get(name);
        assertTrue(service != null, "service " + name);
        return map(service);
    }

    private static Map<String, Object> environment(Map<String, Object> service) {
        return map(service.get("environment"));
    }

    /** The CouchDB nodes of the cluster file: services of the official image with a NODENAME, by service name. */
    private static Map<String, Map<String, Object>> couchNodes(Map<String, Object> cluster) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        services(cluster).forEach((name, value) -> {
            Map<String, Object> service = map(value);
            if (String.valueOf(service.get("image")).startsWith("couchdb:")
                    && environment(service).containsKey("NODENAME")) {
                out.put(name, service);
            }
        });
        return out;
    }

    /** The services of the cluster file built from the sidecar's Dockerfile, by service name. */
    private static Map<String, Map<String, Object>> sidecars(Map<String, Object> cluster) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        services(cluster).forEach((name, value) -> {
            Map<String, Object> service = map(value);
            if (SIDECAR_DOCKERFILE.equals(map(service.get("build")).get("dockerfile"))) {
                out.put(name, service);
            }
        });
        return out;
    }

    /** The source (named volume or host path) mounted at {@code target}, or null. */
    private static String mountedAt(Map<String, Object> service, String target) {
        for (Object volume : list(service.get("volumes"))) {
            String[] parts = String.valueOf(volume).split(":");
            if (parts.length >= 2 && parts[1].equals(target)) {
                return parts[0];
            }
        }
        return null;
    }

    private static List<String> aliases(Map<String, Object> service) {
        Map<String, Object> network = map(map(service.get("networks")).get("default"));
        return list(network.get("aliases")).stream().map(String::valueOf).toList();
    }

    private static String haproxy() throws IOException {
        return Files.readString(DOCKER.resolve("lb/haproxy.cfg"));
    }

    /** The lines of one section ({@code backend sidecar-nodes}) of the HAProxy configuration, comments left out. */
    private static List<String> section(String haproxy, String header) {
        List<String> out = new ArrayList<>();
        boolean in = false;
        for (String raw : haproxy.split("\n")) {
            String line = raw.replaceAll("(^|\\s)#.*$", "").strip();
            if (!raw.startsWith(" ") && !raw.startsWith("\t") && !line.isEmpty()) {
                in = line.equals(header);
            } else if (in && !line.isEmpty()) {
                out.add(line);
            }
        }
        assertTrue(!out.isEmpty(), "lb/haproxy.cfg has a section " + header);
        return out;
    }

    /** The {@code server <name> <host>:<port>} lines of a backend, as host:port. */
    private static Set<String> servers(List<String> backend) {
        Set<String> out = new LinkedHashSet<>();
        for (String line : backend) {
            Matcher m = Pattern.compile("^server\\s+\\S+\\s+(\\S+:\\d+)\\s+.*\\bcheck\\b.*").matcher(line);
            if (m.matches()) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    /** An HAProxy time (5s, 5m, 1h, 100 for milliseconds) in milliseconds. */
    private static long millis(String time) {
        Matcher m = Pattern.compile("(\\d+)(ms|s|m|h|d)?").matcher(time);
        assertTrue(m.matches(), "an HAProxy time: " + time);
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "ms" : m.group(2);
        return switch (unit) {
            case "s" -> TimeUnit.SECONDS.toMillis(n);
            case "m" -> TimeUnit.MINUTES.toMillis(n);
            case "h" -> TimeUnit.HOURS.toMillis(n);
            case "d" -> TimeUnit.DAYS.toMillis(n);
            default -> n;
        };
    }

    private static String timeout(List<String> section, String which) {
        for (String line : section) {
            String[] words = line.split("\\s+");
            if (words.length == 3 && words[0].equals("timeout") && words[1].equals(which)) {
                return words[2];
            }
        }
        return null;
    }

    @Test
    void threeCouchDbNodesOfTheOfficialImageWithTheirOwnNamesVolumesAndOneCookie() throws IOException {
        Map<String, Object> cluster = compose("docker-compose.cluster.yml");
        Map<String, Map<String, Object>> nodes = couchNodes(cluster);
        assertEquals(3, nodes.size(), "three CouchDB nodes: " + nodes.keySet());
        Set<String> names = new HashSet<>();
        Set<String> volumes = new HashSet<>();
        Set<String> cookies = new HashSet<>();
        Set<String> secrets = new HashSet<>();
        nodes.forEach((name, node) -> {
            assertTrue(String.valueOf(node.get("image")).matches("couchdb:3(\\.\\d+)*"), name + ": CouchDB 3");
            Map<String, Object> env = environment(node);
            String nodeName = String.valueOf(env.get("NODENAME"));
            assertTrue(names.add(nodeName), name + ": a NODENAME of its own, " + nodeName);
            assertTrue(nodeName.contains("."), name + ": a NODENAME the other nodes resolve as a long name");
            assertTrue(aliases(node).contains(nodeName), name + ": reachable as its NODENAME " + nodeName);
            for (String variable : List.of("COUCHDB_USER", "COUCHDB_PASSWORD")) {
                assertTrue(String.valueOf(env.get(variable)).startsWith("${" + variable), name + ": " + variable);
            }
            cookies.add(String.valueOf(env.get("COUCHDB_ERLANG_COOKIE")));
            secrets.add(String.valueOf(env.get("COUCHDB_SECRET")));
            for (String target : List.of("/opt/couchdb/data", "/opt/couchdb/etc/local.d")) {
                String source = mountedAt(node, target);
                assertTrue(source != null && !source.startsWith("."), name + ": a volume at " + target);
                assertTrue(volumes.add(source), name + ": a volume of its own at " + target + ", not " + source);
                assertTrue(map(cluster.get("volumes")).containsKey(source), "the volume " + source + " is declared");
            }
            assertEquals("./couchdb/local.ini", mountedAt(node, "/opt/couchdb/etc/local.ini"), name + ": local.ini");
            assertTrue(node.containsKey("healthcheck"), name + ": a healthcheck the setup waits for");
            assertEquals(null, node.get("ports"), name + ": not published (the balancer is)");
        });
        assertEquals(1, cookies.size(), "one Erlang cookie for every node: " + cookies);
        assertTrue(cookies.iterator().next().startsWith("${COUCHDB_ERLANG_COOKIE:?"), "the cookie from docker/.env");
        assertEquals(1, secrets.size(), "one cluster secret for every node: " + secrets);
        assertTrue(secrets.iterator().next().startsWith("${COUCHDB_SECRET:?"), "the secret from docker/.env");
        String env = Files.readString(DOCKER.resolve(".env.example"));
        for (String variable : List.of("COUCHDB_ERLANG_COOKIE", "COUCHDB_SECRET")) {
            assertTrue(Pattern.compile("(?m)^" + variable + "=change-me").matcher(env).find(), ".env.example: " + variable);
        }
    }

    @Test
    void localIniSetsShardsAndCopiesForThreeNodes() throws IOException {
        String ini = Files.readString(DOCKER.resolve("couchdb/local.ini")).replaceAll("(?m)^;.*$", "");
        Matcher cluster = Pattern.compile("(?s)\\[cluster\\](.*?)(\\n\\[|$)").matcher(ini);
        assertTrue(cluster.find(), "local.ini has a [cluster] section");
        Matcher q = Pattern.compile("(?m)^q\\s*=\\s*(\\d+)\\s*$").matcher(cluster.group(1));
        Matcher n = Pattern.compile("(?m)^n\\s*=\\s*(\\d+)\\s*$").matcher(cluster.group(1));
        assertTrue(q.find() && n.find(), "q and n set explicitly");
        int shards = Integer.parseInt(q.group(1));
        assertTrue(shards >= 1 && Integer.bitCount(shards) == 1, "q a power of two (shard splitting halves): " + shards);
        int copies = Integer.parseInt(n.group(1));
        assertEquals(couchNodes(compose("docker-compose.cluster.yml")).size(), copies, "a copy of every shard on each node");
        assertTrue(Pattern.compile("(?m)^bind_address\\s*=\\s*0\\.0\\.0\\.0\\s*$").matcher(ini).find(),
                "CouchDB listens on the compose network");
    }

    @Test
    void theSetupServiceNamesEveryNodeAndWaitsForThem() throws IOException {
        Map<String, Object> cluster = compose("docker-compose.cluster.yml");
        Map<String, Map<String, Object>> nodes = couchNodes(cluster);
        Map<String, Object> setup = service(cluster, "couchdb-setup");
        List<String> listed = List.of(String.valueOf(environment(setup).get("COUCHDB_NODES")).trim().split("\\s+"));
        Set<String> nodeNames = new LinkedHashSet<>();
        nodes.values().forEach(node -> nodeNames.add(String.valueOf(environment(node).get("NODENAME"))));
        assertEquals(nodeNames, new LinkedHashSet<>(listed), "the setup joins every node, each once");
        assertEquals(listed.size(), new HashSet<>(listed).size(), "no node twice");
        assertEquals("./couchdb/cluster-setup.sh", mountedAt(setup, "/opt/sidecar/cluster-setup.sh"));
        assertTrue(list(setup.get("entrypoint")).contains("/opt/sidecar/cluster-setup.sh"), "it runs the script");
        assertEquals("no", setup.get("restart"), "a one-shot service");
        Map<String, Object> waits = map(setup.get("depends_on"));
        nodes.keySet().forEach(name -> assertEquals("service_healthy", map(waits.get(name)).get("condition"),
                "the setup waits for " + name));
        sidecars(cluster).forEach((name, sidecar) -> assertEquals("service_completed_successfully",
                map(map(sidecar.get("depends_on")).get("couchdb-setup")).get("condition"),
                name + " starts (and creates its database) only once every CouchDB node is a member"));
    }

    @Test
    void theSetupScriptJoinsEveryNodeAndCanRunAgain(@TempDir Path dir) throws IOException, InterruptedException {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "a POSIX shell");
        Map<String, Object> setup = service(compose("docker-compose.cluster.yml"), "couchdb-setup");
        String nodes = String.valueOf(environment(setup).get("COUCHDB_NODES")).trim();
        List<String> names = List.of(nodes.split("\\s+"));
        assertEquals(3, names.size(), "three nodes to join: " + names);
        FakeCouchCluster couch = new FakeCouchCluster(dir, names.get(0));

        assertEquals(0, couch.runSetup(nodes), couch.output());
        List<String> first = couch.actions();
        List<String> expected = new ArrayList<>();
        names.forEach(n -> expected.add("enable_cluster " + n));
        names.subList(1, names.size()).forEach(n -> expected.add("add_node " + n));
        expected.add("finish_cluster " + names.get(0));
        assertEquals(expected, first, "enable_cluster on each node, add_node for each other node, finish_cluster");

        assertEquals(0, couch.runSetup(nodes), couch.output());
        assertEquals(first, couch.actions(), "run again: nothing more to do");

        FakeCouchCluster partly = new FakeCouchCluster(dir.resolve("partly"), names.get(0));
        partly.member(names.get(1));
        assertEquals(0, partly.runSetup(nodes), partly.output());
        assertTrue(partly.actions().contains("add_node " + names.get(2)), partly.actions().toString());
        assertTrue(!partly.actions().contains("add_node " + names.get(1)), "a member is not added again");

        FakeCouchCluster refusing = new FakeCouchCluster(dir.resolve("refusing"), names.get(0));
        refusing.refuse(names.get(2));
        assertNotEquals(0, refusing.runSetup(nodes), "a node that cannot be added fails the setup");
    }

    @Test
    void twoSidecarsWithTheirOwnNamesAndVolumesAndTheSingleNodesEnvironment() throws IOException {
        Map<String, Object> single = compose("docker-compose.yml");
        Map<String, Object> cluster = compose("docker-compose.cluster.yml");
        Map<String, Object> singleEnvironment = environment(service(single, "sidecar"));
        Map<String, Map<String, Object>> sidecars = sidecars(cluster);
        assertEquals(Set.of("sidecar-a", "sidecar-b"), sidecars.keySet());
        Set<String> nodeNames = new HashSet<>();
        Set<String> volumes = new HashSet<>();
        sidecars.forEach((name, sidecar) -> {
            Map<String, Object> env = new LinkedHashMap<>(environment(sidecar));
            String nodeName = String.valueOf(env.remove("SIDECAR_NODE_NAME"));
            assertTrue(nodeName.matches("[a-z0-9][a-z0-9-]*"), name + ": SIDECAR_NODE_NAME " + nodeName);
            assertTrue(nodeNames.add(nodeName), name + ": a node name of its own");
            assertEquals(singleEnvironment, env, name + ": the single node's environment, and its node name");
            String data = mountedAt(sidecar, SIDECAR_DATA);
            assertTrue(data != null && volumes.add(data), name + ": a data volume of its own (journal, index)");
            assertTrue(map(cluster.get("volumes")).containsKey(data), "the volume " + data + " is declared");
            assertEquals(null, sidecar.get("ports"), name + ": reached through the balancer only");
            assertEquals(service(single, "sidecar").get("healthcheck"), sidecar.get("healthcheck"), name);
        });
        for (String replaced : List.of("couchdb", "sidecar")) {
            assertEquals(List.of("single-node"), list(service(cluster, replaced).get("profiles")),
                    "the single node's " + replaced + " does not start with the cluster file");
        }
    }

    @Test
    void theBalancerSendsToBothSidecarsAndEveryCouchDbNode() throws IOException {
        Map<String, Object> single = compose("docker-compose.yml");
        Map<String, Object> cluster = compose("docker-compose.cluster.yml");
        String cfg = haproxy();
        Map<String, Object> lb = service(cluster, "lb");
        assertTrue(String.valueOf(lb.get("image")).startsWith("haproxy:"), "the official HAProxy image");
        assertEquals("./lb/haproxy.cfg", mountedAt(lb, "/usr/local/etc/haproxy/haproxy.cfg"));
        assertTrue(aliases(lb).containsAll(List.of("sidecar", "couchdb")),
                "the balancer answers by the names of the services it replaces: " + aliases(lb));
        String couchUrl = String.valueOf(environment(service(single, "sidecar")).get("SIDECAR_COUCHDB_URL"));
        assertEquals("http://couchdb:5984", couchUrl, "the sidecars reach CouchDB through the balancer");

        List<String> sidecarBackend = section(cfg, "backend sidecar-nodes");
        Set<String> sidecarServers = new LinkedHashSet<>();
        sidecars(cluster).keySet().forEach(name -> sidecarServers.add(name + ":8080"));
        assertEquals(sidecarServers, servers(sidecarBackend), "both sidecars, health-checked");
        assertTrue(sidecarBackend.contains("balance roundrobin"), "round robin");
        sidecars(cluster).forEach((name, sidecar) -> {
            String node = String.valueOf(environment(sidecar).get("SIDECAR_NODE_NAME"));
            assertTrue(sidecarBackend.contains("server " + node + " " + name + ":8080 check"),
                    "the balancer names " + name + " by its node name " + node);
            assertTrue(sidecarBackend.contains("use-server " + node + " if { req.hdr(X-Sidecar-Node) -m str " + node + " }"),
                    "X-Sidecar-Node: " + node + " reaches " + name);
        });
        Matcher live = Pattern.compile("GET (/sidecar/api/live) HTTP").matcher(
                String.valueOf(list(map(service(single, "sidecar").get("healthcheck")).get("test"))));
        assertTrue(live.find(), "the single node's healthcheck asks /sidecar/api/live");
        assertTrue(sidecarBackend.stream().anyMatch(l -> l.matches("http-check send meth GET uri " + live.group(1) + " .*")),
                "the balancer checks the same liveness path: " + sidecarBackend);
        assertTrue(sidecarBackend.contains("http-check expect status 200"));
        String resource = Files.readString(ROOT.resolve("web/src/main/java/org/dicomsidecar/web/admin/LiveResource.java"));
        assertTrue(resource.contains("@Path(\"/live\")") && resource.contains("@Open"),
                "/api/live exists and needs no token");

        List<String> couchBackend = section(cfg, "backend couchdb-nodes");
        Set<String> couchServers = new LinkedHashSet<>();
        couchNodes(cluster).values().forEach(n -> couchServers.add(environment(n).get("NODENAME") + ":5984"));
        assertEquals(couchServers, servers(couchBackend), "every CouchDB node, health-checked");
        assertTrue(couchBackend.stream().anyMatch(l -> l.matches("http-check send meth GET uri /_up .*")));
        assertTrue(couchBackend.contains("http-check disable-on-404"), "a node in maintenance mode is left out");

        List<String> defaults = section(cfg, "defaults");
        long longest = Math.max(WorkflowLongPolls.MAX_TIMEOUT_MS,
                Long.parseLong(Setting.HOST_READ_TIMEOUT_MS.defaultValue()));
        for (String which : List.of("client", "server")) {
            String value = timeout(defaults, which);
            assertTrue(value != null && millis(value) > longest,
                    "timeout " + which + " outlasts a long-poll and a silent archive (" + longest + " ms): " + value);
        }

        Set<String> bound = new LinkedHashSet<>();
        Matcher bind = Pattern.compile("(?m)^\\s+bind\\s+:(\\d+)\\s*$").matcher(cfg);
        while (bind.find()) {
            bound.add(bind.group(1));
        }
        Set<String> published = new LinkedHashSet<>();
        list(lb.get("ports")).forEach(p -> published.add(String.valueOf(p).replaceAll(".*:", "")));
        assertEquals(bound, published, "every port the balancer listens on is published, and only those");
    }

    @Test
    void everyPublishedPortIsBoundToLoopback() throws IOException {
        for (String file : List.of("docker-compose.yml", "docker-compose.cluster.yml")) {
            int ports = 0;
            for (Map.Entry<String, Object> service : services(compose(file)).entrySet()) {
                for (Object port : list(map(service.getValue()).get("ports"))) {
                    ports++;
                    assertTrue(String.valueOf(port).matches("127\\.0\\.0\\.1:\\d+:\\d+"),
                            file + ", " + service.getKey() + ": published on 127.0.0.1 only, not " + port);
                }
            }
            assertTrue(ports > 0, file + " publishes something");
        }
        Matcher any = Pattern.compile("(?m)^\\s*-\\s*\"?(\\d+:\\d+|0\\.0\\.0\\.0:)").matcher(
                Files.readString(DOCKER.resolve("docker-compose.cluster.yml")));
        assertTrue(!any.find(), "no port on every interface");
    }

    @Test
    void theReaderRefusesWhatItDoesNotUnderstand() {
        Map<String, Object> doc = ComposeYaml.parse("""
                x: &base
                  a: "1 # not a comment"
                  b: '2'
                y:
                  <<: *base
                  b: 3   # a comment
                  c: ["p, q", r]
                  d:
                    - "127.0.0.1:1:2"
                """);
        assertEquals(Map.of("a", "1 # not a comment", "b", "3", "c", List.of("p, q", "r"), "d", List.of("127.0.0.1:1:2")),
                map(doc.get("y")));
        assertThrows(IllegalArgumentException.class, () -> ComposeYaml.parse("a: |\n  text\n"));
        assertThrows(IllegalArgumentException.class, () -> ComposeYaml.parse("a:\n  - b: c\n"));
        assertThrows(IllegalArgumentException.class, () -> ComposeYaml.parse("a: *nothing\n"));
        assertThrows(IllegalArgumentException.class, () -> ComposeYaml.parse("a: 1\na: 2\n"));
    }

    /**
     * A CouchDB cluster as docker/couchdb/cluster-setup.sh sees it through curl: a {@code curl} (and a {@code sleep}
     * that does not wait) put first on the script's PATH, keeping the cluster's state in files. It answers
     * {@code _up}, {@code _membership} and {@code _cluster_setup} as CouchDB 3 does, including the 400 to an
     * enable_cluster or finish_cluster already done, and records each setup action with the node it was sent to.
     */
    private static final class FakeCouchCluster {

        private static final String CURL = """
                #!/bin/sh
                state=$FAKE_COUCH
                method=GET; data=; url=; format=
                while [ $# -gt 0 ]; do
                    case $1 in
                        -X) method=$2; shift ;;
                        --data) data=$2; shift ;;
                        -w) format=$2; shift ;;
                        -u|-H|--max-time) shift ;;
                        -*) ;;
                        *) url=$1 ;;
                    esac
                    shift
                done
                host=$(printf '%s' "$url" | sed 's#^http://\\([^:/]*\\).*#\\1#')
                path=$(printf '%s' "$url" | sed 's#^http://[^/]*##')
                answer() { printf '%s' "$2"; if [ -n "$format" ]; then printf '\\n%s' "$1"; fi; exit 0; }
                case "$method $path" in
                    "GET /_up") answer 200 '{"status":"ok"}' ;;
                    "GET /_cluster_setup")
                        if [ -f "$state/finished" ]; then answer 200 '{"state":"cluster_finished"}'; fi
                        answer 200 '{"state":"cluster_enabled"}' ;;
                    "GET /_membership")
                        list=$(sed 's/.*/"couchdb@&"/' "$state/members" | paste -s -d, -)
                        answer 200 "{\\"all_nodes\\": [$list], \\"cluster_nodes\\": [$list]}" ;;
                    "POST /_cluster_setup")
                        case $data in
                            *'"enable_cluster"'*)
                                printf 'enable_cluster %s\\n' "$host" >> "$state/actions"
                                answer 400 '{"error":"bad_request","reason":"Cluster is already enabled"}' ;;
                            *'"add_node"'*)
                                added=$(printf '%s' "$data" | sed 's/.*"host": *"\\([^"]*\\)".*/\\1/')
                                if grep -qx "$added" "$state/refused" 2>/dev/null; then
                                    answer 400 '{"error":"bad_request","reason":"Add node failed."}'
                                fi
                                printf 'add_node %s\\n' "$added" >> "$state/actions"
                                printf '%s\\n' "$added" >> "$state/members"
                                answer 201 '{"ok":true}' ;;
                            *'"finish_cluster"'*)
                                if [ -f "$state/finished" ]; then
                                    answer 400 '{"error":"bad_request","reason":"Cluster is already finished"}'
                                fi
                                printf 'finish_cluster %s\\n' "$host" >> "$state/actions"
                                touch "$state/finished"
                                answer 201 '{"ok":true}' ;;
                        esac ;;
                esac
                answer 404 '{"error":"not_found"}'
                """;

        private final Path dir;
        private final Path state;
        private String output = "";

        FakeCouchCluster(Path dir, String coordinator) throws IOException {
            this.dir = dir;
            this.state = Files.createDirectories(dir.resolve("state"));
            Path bin = Files.createDirectories(dir.resolve("bin"));
            Files.writeString(bin.resolve("curl"), CURL);
            Files.writeString(bin.resolve("sleep"), "#!/bin/sh\nexit 0\n");
            for (String tool : List.of("curl", "sleep")) {
                assertTrue(bin.resolve(tool).toFile().setExecutable(true), tool);
            }
            Files.writeString(state.resolve("members"), coordinator + "\n");
            Files.writeString(state.resolve("actions"), "");
        }

        void member(String node) throws IOException {
            Files.writeString(state.resolve("members"), node + "\n", StandardOpenOption.APPEND);
        }

        void refuse(String node) throws IOException {
            Files.writeString(state.resolve("refused"), node + "\n");
        }

        int runSetup(String nodes) throws IOException, InterruptedException {
            ProcessBuilder pb = new ProcessBuilder("/bin/sh", DOCKER.resolve("couchdb/cluster-setup.sh").toString())
                    .redirectErrorStream(true);
            pb.environment().put("PATH", dir.resolve("bin") + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
            pb.environment().put("FAKE_COUCH", state.toString());
            pb.environment().put("COUCHDB_USER", "admin");
            pb.environment().put("COUCHDB_PASSWORD", "a \"quoted\" \\ password");
            pb.environment().put("COUCHDB_NODES", nodes);
            Process process = pb.start();
            output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the setup ends");
            return process.exitValue();
        }

        List<String> actions() throws IOException {
            return Files.readAllLines(state.resolve("actions"));
        }

        String output() {
            return output;
        }
    }
}
