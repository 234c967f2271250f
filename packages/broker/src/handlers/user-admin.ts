// SetUserCredential, DeleteUser, ListUsers: SCRAM users kept in the controller log. Changing users
// needs Cluster:Alter and listing them Cluster:Describe (with ACLs on; open otherwise).
import { DeleteUser, ListUsers, SetUserCredential } from '@weir/protocol'
import { deleteUser, setUserCredential } from '../auth/user-administration.js'
import { authorizeClusterAlter, authorizeClusterDescribe } from './authorize.js'
import { defineHandler } from './handler.js'

export const setUserCredentialHandler = defineHandler({
  api: SetUserCredential,
  async handle(request, context) {
    authorizeClusterAlter(context)
    await setUserCredential(context.cluster, request, context.limits.requestTimeoutMs)
    context.logger.info({ user: request.name, mechanism: request.mechanism }, 'user credential set')
    return { errorCode: 0 }
  },
})

export const deleteUserHandler = defineHandler({
  api: DeleteUser,
  async handle(request, context) {
    authorizeClusterAlter(context)
    const deleted = await deleteUser(context.cluster, request.name, context.limits.requestTimeoutMs)
    if (deleted) context.logger.info({ user: request.name }, 'user deleted')
    return { errorCode: 0, deleted }
  },
})

export const listUsersHandler = defineHandler({
  api: ListUsers,
  async handle(_request, context) {
    authorizeClusterDescribe(context)
    return { errorCode: 0, users: context.cluster.image.users.list() }
  },
})
