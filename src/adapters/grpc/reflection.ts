import { toBinary, type DescFile } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import type { Server } from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { file_grpc_reflection_v1_reflection } from '../../gen/grpc/reflection/v1/reflection_pb.js';
import { file_grpc_reflection_v1alpha_reflection } from '../../gen/grpc/reflection/v1alpha/reflection_pb.js';
import { file_health_v1_health } from '../../gen/health/v1/health_pb.js';

/**
 * Serves grpc.reflection.v1 and v1alpha. @grpc/reflection normally reads descriptors that
 * @grpc/proto-loader rebuilt, which lose each file's dependency list (and map entries), so
 * reflection clients fail to resolve google/protobuf types. We feed it the FileDescriptorProtos
 * protobuf-es embeds in the generated code instead: each file exactly as buf compiled it, with
 * every file it depends on, including the health and reflection protos themselves.
 */
export function addReflection(server: Pick<Server, 'addService'>, files: readonly DescFile[]): void {
  const all = withDependencies([...files, file_health_v1_health, file_grpc_reflection_v1_reflection, file_grpc_reflection_v1alpha_reflection]);
  const fileDescriptorProtos = all.map((file) => Buffer.from(toBinary(FileDescriptorProtoSchema, file.proto)));
  // ReflectionService only reads `fileDescriptorProtos` from the package definition's entries.
  const packageDefinition = { files: { fileDescriptorProtos } } as unknown as PackageDefinition;
  new ReflectionService(packageDefinition).addToServer(server);
}

function withDependencies(roots: readonly DescFile[]): DescFile[] {
  const seen = new Map<string, DescFile>();
  const visit = (file: DescFile): void => {
    if (seen.has(file.name)) return;
    seen.set(file.name, file);
    file.dependencies.forEach(visit);
  };
  roots.forEach(visit);
  return [...seen.values()];
}
