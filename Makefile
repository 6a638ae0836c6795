# The two commands a newcomer needs; see README.md.
.PHONY: demo test build crds cluster-up cluster-down

demo: ## the incident replay on a local cluster
	hack/demo.sh

test: ## the whole test suite, building what it needs
	hack/test.sh

build:
	./mvnw -B -q package -DskipTests

crds:
	hack/update-crds.sh

cluster-up:
	hack/local-cluster.sh up

cluster-down:
	hack/local-cluster.sh down
